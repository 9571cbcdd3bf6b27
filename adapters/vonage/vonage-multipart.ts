import type { MultipartFormat } from '../../core/ports/multipart-format.js';
import type { ConcatInfo } from './vonage-response-listener.js';

/**
 * Vonage's concatenated messages: the listener reads `concat-*` into `extracted_data.concat`; the
 * whole message is the first part's fields with every part's `text` joined (SMS splits cut
 * anywhere, so no separator), without the `concat-*` fields, and the parts' ids in
 * `concat-message-ids`. Its `messageId` is the first part's: a retry of any part is a duplicate.
 */
/**
 * The joined text is capped where Twilio caps its own messages (1,600 characters): Vonage accepts
 * up to 255 parts (some 39,000 characters), which no prospect's reply needs and which would cost
 * every reader of the message. The parts themselves stay in `message_parts` until the purge, and
 * `text-truncated` says how long the whole text was.
 */
export const MAX_JOINED_TEXT = 1600;

export const vonageMultipart: MultipartFormat = {
  partOf(message) {
    const concat = message.extracted_data['concat'] as ConcatInfo | undefined;
    return concat !== undefined && concat.total > 1 ? concat : null;
  },
  join(parts) {
    const first = (parts[0] as (typeof parts)[number]).fields;
    const fields: Record<string, string | readonly string[]> = {};
    for (const [name, value] of Object.entries(first)) if (!name.startsWith('concat')) fields[name] = value;
    const text = parts.map((part) => part.fields['text'] ?? '').join('');
    fields['text'] = text.length > MAX_JOINED_TEXT ? text.slice(0, MAX_JOINED_TEXT) : text;
    if (text.length > MAX_JOINED_TEXT) fields['text-truncated'] = String(text.length);
    fields['concat-message-ids'] = parts.map((part) => part.message_id);
    return fields;
  },
};

import t from 'tap';
import { isRegion, toE164 } from '../adapters/phone/phone-numbers.js';

t.test('numbers as typed become E.164', async (t) => {
  t.equal(toE164('06 87 65 43 21', 'FR'), '+33687654321');
  t.equal(toE164('+33 6 87 65 43 21', 'FR'), '+33687654321');
  t.equal(toE164('0033 6 87 65 43 21', 'FR'), '+33687654321');
  t.equal(toE164('06.87.65.43.21', 'FR'), '+33687654321');
  t.equal(toE164('0475 12 34 56', 'BE'), '+32475123456');
  t.equal(toE164('(514) 555-0142', 'CA'), '+15145550142');
  t.equal(toE164('06 87', 'FR'), null);
  t.equal(toE164('STOP', 'FR'), null);
  t.ok(isRegion('CH'));
  t.notOk(isRegion('XX'));
});

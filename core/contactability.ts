import { permissionsOf } from './consent.js';
import type { Repository } from './ports/repository.js';

/** What BerinIA's sending side asks before texting or calling a number. */
export interface Contactability {
  readonly phone: string;
  readonly sms: boolean;
  readonly calls: boolean;
  /** Why not, when one is refused: the ledger event that decided it. */
  readonly reason: string | null;
}

/** Whether a number may be contacted, from its consent ledger (the source of truth). */
export class CheckContactability {
  constructor(private readonly repository: Pick<Repository, 'consentHistory'>) {}

  async execute(phone: string): Promise<Contactability> {
    return { phone, ...permissionsOf(await this.repository.consentHistory(phone)) };
  }
}

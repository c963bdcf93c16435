import type { KeyStore } from '../domain/key-store.js';
import { uuidRule } from '../domain/rules.js';
import type { AccountState } from '../domain/types.js';
import { DOCS_USER_ID, DOCS_WORKSPACE_ID } from '../data/dataset.js';

/**
 * The ids an account's data may use: workspaces are never shared between accounts, so a scenario
 * or a new account that would reuse another account's workspace gets a stand-in of its own,
 * derived from the seed, the account and the id (the same load gives the same bytes).
 */
export class AccountIds {
  constructor(
    private readonly store: KeyStore,
    private readonly sha256Hex: (text: string) => string,
  ) {}

  /**
   * A scenario's fixtures with the ids of the account they are loaded into. Scenarios are written
   * for the first account — the documentation's workspace (its default) and user. In any account
   * those become the account's own default workspace and user; another workspace a fixture names
   * becomes a fresh workspace of the account's. Only the first account keeps such a workspace id as
   * written, as at start-up, unless another account holds it: no workspace is ever shared.
   */
  ownFixtures(fixtures: unknown[], state: AccountState, first: boolean, seed: number): unknown[] {
    const others = this.workspacesOfOthers(state.id);
    const workspace = (id: string): string => {
      const given = id.toLowerCase();
      if (given === DOCS_WORKSPACE_ID) return state.default_workspace_id;
      if (state.workspace_ids.includes(given) || (first && !others.has(given))) return given;
      return this.freshWorkspace(seed, state.id, given, others);
    };
    return fixtures.map((entry) => {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return entry;
      const fields = entry as Record<string, unknown>;
      const own = { ...fields };
      // Anything else is left for the fixture parser to refuse, naming the entry.
      if (typeof fields.workspace_id === 'string' && uuidRule(fields.workspace_id) === null) own.workspace_id = workspace(fields.workspace_id);
      if (fields.creator_user_id === DOCS_USER_ID) own.creator_user_id = state.user_id;
      return own;
    });
  }

  /** A new account's workspaces, each one another account holds replaced by a stand-in of its own. */
  ownWorkspaces(state: AccountState, seed: number): void {
    const others = this.workspacesOfOthers(state.id);
    const own = (id: string) => (others.has(id) ? this.freshWorkspace(seed, state.id, id, others) : id);
    state.default_workspace_id = own(state.default_workspace_id);
    state.workspace_ids = state.workspace_ids.map(own);
  }

  private workspacesOfOthers(accountId: string): Set<string> {
    return new Set(this.store.listAccounts().flatMap((account) => (account.id === accountId ? [] : account.state.workspace_ids)));
  }

  /** The account's own stand-in for workspace `given`: derived from the seed, the account and the id; held by no other account. */
  private freshWorkspace(seed: number, accountId: string, given: string, others: Set<string>): string {
    for (let n = 0; ; n++) {
      const id = uuidFrom(this.sha256Hex(`workspace:${seed}:${accountId}:${given}:${n}`));
      if (!others.has(id)) return id;
    }
  }
}

/** A UUID (version 4 layout) from 32 or more hex digits. */
const uuidFrom = (hex: string): string =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;

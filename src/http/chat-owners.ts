import type { Clock } from '../clock.ts';
import type { SqlDatabase } from '../storage/sql.ts';

/** Names whose owner this process has read; a name never changes hands, so a hit needs no query. */
const REMEMBERED = 10_000;

/**
 * Web users and conversations belong to the caller that used them first — an enterprise system by
 * its key's name, a chat page by its visitor cookie — so no one else can write as that user, see
 * their tickets or read what a community worker sent them.
 */
export class ChatOwners {
  private readonly known = new Map<string, string>();

  constructor(
    private readonly sql: SqlDatabase,
    private readonly clock: Clock,
  ) {}

  /** Takes each name not yet taken for `owner`; true when every name is `owner`'s. */
  async claim(names: string[], owner: string): Promise<boolean> {
    for (const name of names) {
      let holder = this.known.get(name);
      if (holder === undefined) {
        await this.sql.run('INSERT INTO chat_owners (name, owner, at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING', [name, owner, this.clock.now().toISOString()]);
        holder = (await this.sql.get<{ owner: string }>('SELECT owner FROM chat_owners WHERE name = ?', [name]))?.owner;
        if (holder === undefined) throw new Error(`chat owner of ${name} vanished`);
        if (this.known.size >= REMEMBERED) this.known.clear();
        this.known.set(name, holder);
      }
      if (holder !== owner) return false;
    }
    return true;
  }
}

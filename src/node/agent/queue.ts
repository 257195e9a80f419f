// The agent's bounded on-disk queue of unacknowledged alerts: SQLite (WAL)
// at <data-dir>/queue.db. An alert stays until the server acknowledges (or
// rejects) its ID; past the cap new alerts are dropped and counted (the
// counter survives restarts). Reads are by sequence so a sender can stream
// what it has not sent on this connection yet.
import Database from 'better-sqlite3';
import type { Alert } from '../../core/alerts/types.js';

export const DEFAULT_QUEUE_CAP = 100_000;

export interface QueuedAlert {
  seq: number;
  id: string;
  json: string;
}

export class AlertQueue {
  private readonly db: Database.Database;
  private n: number;
  private droppedCount: number;
  private readonly ins: Database.Statement;
  private readonly del: Database.Statement;
  private readonly after: Database.Statement;
  private readonly setDropped: Database.Statement;

  constructor(
    readonly path: string,
    readonly cap = DEFAULT_QUEUE_CAP,
  ) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`create table if not exists alerts (seq integer primary key autoincrement, id text not null unique, json text not null);
      create table if not exists meta (k text primary key, v integer not null);`);
    this.n = (this.db.prepare('select count(*) as n from alerts').get() as { n: number }).n;
    this.droppedCount = (this.db.prepare("select v from meta where k = 'dropped'").get() as { v: number } | undefined)?.v ?? 0;
    this.ins = this.db.prepare('insert into alerts (id, json) values (?, ?) on conflict (id) do nothing');
    this.del = this.db.prepare('delete from alerts where id = ?');
    this.after = this.db.prepare('select seq, id, json from alerts where seq > ? order by seq limit ?');
    this.setDropped = this.db.prepare("insert into meta (k, v) values ('dropped', ?) on conflict (k) do update set v = excluded.v");
  }

  /** False when the queue is full (the alert is dropped and counted). */
  push(a: Alert): boolean {
    if (this.n >= this.cap) {
      this.droppedCount++;
      this.setDropped.run(this.droppedCount);
      return false;
    }
    if (this.ins.run(a.id, JSON.stringify(a)).changes === 1) this.n++;
    return true;
  }

  /** Removes acknowledged IDs (unknown ones are ignored). */
  remove(ids: readonly string[]): void {
    const tx = this.db.transaction((list: readonly string[]) => {
      for (const id of list) this.n -= this.del.run(id).changes;
    });
    tx(ids);
  }

  next(afterSeq: number, limit: number): QueuedAlert[] {
    return this.after.all(afterSeq, limit) as QueuedAlert[];
  }

  get depth(): number {
    return this.n;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  close(): void {
    this.db.close();
  }
}

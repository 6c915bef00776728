import type { INestApplicationContext } from '@nestjs/common';
import { loadAuthority } from '@tthc/application';
import { EVENT_STORE, type EventStore } from '@tthc/event-store';

/** The unit's name today, from its stream (null for a code no unit has). */
export async function unitName(app: INestApplicationContext, code: string): Promise<string | null> {
  const unit = await loadAuthority(app.get<EventStore>(EVENT_STORE), code);
  return unit.status === 'unestablished' ? null : unit.versions.at(-1)!.name;
}

import { reactive } from 'vue';
import { getPersona } from '../api';
import type { Persona } from '../api/types';

/** Names of personas by id, fetched once each (lists only carry `persona_id`). */
const names = reactive(new Map<string, string>());
const pending = new Set<string>();

export function rememberPersona(p: Persona): void {
  names.set(p.id, p.nombre);
}

export function personaName(id: string): string | undefined {
  return names.get(id);
}

/** Fetches the names not known yet; failures just leave the id unnamed. */
export async function loadPersonaNames(ids: Iterable<string>): Promise<void> {
  const missing = [...new Set(ids)].filter((id) => !names.has(id) && !pending.has(id));
  await Promise.all(
    missing.map(async (id) => {
      pending.add(id);
      try {
        rememberPersona(await getPersona(id));
      } catch {
        // a name is a nicety: the id is shown instead
      } finally {
        pending.delete(id);
      }
    }),
  );
}

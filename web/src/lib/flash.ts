import { ref } from 'vue';

/** A one-line notice shown on the next page (e.g. "Persona creada" after saving). */
export const flash = ref<string | null>(null);
let shownAt = -1;
let navigations = 0;

export function setFlash(message: string): void {
  flash.value = message;
  shownAt = navigations + 1; // shown on the navigation about to happen
}

/** Called after every navigation: keeps the notice for one page only. */
export function flashNavigated(): void {
  navigations += 1;
  if (flash.value !== null && navigations > shownAt) flash.value = null;
}

import { isCancel } from 'axios';
import { getCurrentInstance, onBeforeUnmount, ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { toApiError, type ApiError } from '../api/errors';

export interface Loader<T> {
  data: ShallowRef<T | null>;
  loading: Ref<boolean>;
  error: Ref<ApiError | null>;
  /** (Re)loads; a load still under way is abandoned. Resolves to whether it succeeded. */
  run: () => Promise<boolean>;
}

/** Loading and error state for one request at a time. */
export function useLoader<T>(fetch: (signal: AbortSignal) => Promise<T>): Loader<T> {
  const data = shallowRef<T | null>(null);
  const loading = ref(false);
  const error = ref<ApiError | null>(null);
  let current: AbortController | null = null;

  async function run(): Promise<boolean> {
    current?.abort();
    const controller = new AbortController();
    current = controller;
    loading.value = true;
    error.value = null;
    try {
      const value = await fetch(controller.signal);
      if (current !== controller) return false;
      data.value = value;
      return true;
    } catch (e) {
      if (current !== controller || isCancel(e)) return false;
      error.value = toApiError(e);
      return false;
    } finally {
      if (current === controller) loading.value = false;
    }
  }

  if (getCurrentInstance()) onBeforeUnmount(() => current?.abort());
  return { data, loading, error, run };
}

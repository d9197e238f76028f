import type { Engine } from './types';

let loading: Promise<Engine> | undefined;

/**
 * Loads the corridor_web wasm module once per page, lazily, from the plugin's own public path
 * (webpack resolves the `.wasm` URL against the public path set at run time). A failed load is
 * not cached, so the next render retries.
 */
export function loadEngine(): Promise<Engine> {
  if (!loading) {
    loading = import(/* webpackChunkName: "corridor-web" */ '../wasm/panel/corridor_web').then(async (module) => {
      await module.default();
      return module;
    });
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Base URL of the API. Default: '' (same origin) in builds, http://127.0.0.1:8000 in dev. */
  readonly VITE_API_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}

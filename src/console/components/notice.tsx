import type { ComponentChildren } from 'preact';

export function ErrorNotice({ message }: { message: string }) {
  return <div class="notice notice-error" role="alert">{message}</div>;
}

export function InfoNotice({ children }: { children: ComponentChildren }) {
  return <div class="notice notice-info">{children}</div>;
}

export function Loading({ what }: { what: string }) {
  return <p class="loading" role="status">Loading {what}…</p>;
}

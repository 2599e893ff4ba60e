// A modal dialog on the native <dialog> element: focus is trapped and Escape closes it, as the
// browser does for showModal().
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export function Dialog({ title, open, onClose, children }: { title: string; open: boolean; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  const titleId = `dialog-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <dialog ref={ref} class="dialog" aria-labelledby={titleId} onClose={onClose} onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <h2 id={titleId}>{title}</h2>
      {open ? children : null}
    </dialog>
  );
}

/** "Are you sure?" with the consequence spelled out and a button naming the action. */
export function ConfirmDialog({ title, open, message, confirmLabel, busy, error, onConfirm, onClose }: {
  title: string; open: boolean; message: ComponentChildren; confirmLabel: string; busy?: boolean; error?: string | null;
  onConfirm: () => void; onClose: () => void;
}) {
  return (
    <Dialog title={title} open={open} onClose={onClose}>
      <div class="dialog-body">{message}</div>
      {error ? <p class="form-error" role="alert">{error}</p> : null}
      <div class="dialog-actions">
        <button type="button" class="btn" onClick={onClose}>Cancel</button>
        <button type="button" class="btn btn-danger" disabled={busy} onClick={onConfirm}>{busy ? 'Working…' : confirmLabel}</button>
      </div>
    </Dialog>
  );
}

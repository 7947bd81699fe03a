/**
 * Asking before an admin action: a modal <dialog> (the rest of the page is inert while it is
 * open) that names what will happen, with the action's own button and Cancel. Resolves true
 * only when the person confirms.
 */
import { el, uid, type Child } from './dom';

export interface Confirmation {
  title: string;
  body: Child;
  /** The confirming button: the action's own name ("Unlock"). */
  confirm: string;
  danger?: boolean;
}

export function confirmAction({ title, body, confirm, danger }: Confirmation): Promise<boolean> {
  const titleId = uid('dialog-title');
  const bodyId = uid('dialog-body');
  return new Promise((resolve) => {
    const cancel = el('button', { type: 'button', class: 'button secondary', on: { click: () => dialog.close('cancel') } }, 'Cancel');
    const ok = el('button', { type: 'button', class: `button ${danger ? 'danger' : 'primary'}`, on: { click: () => dialog.close('confirm') } }, confirm);
    const dialog = el(
      'dialog',
      { class: 'dialog', 'aria-labelledby': titleId, 'aria-describedby': bodyId },
      el('h2', { id: titleId }, title),
      el('div', { id: bodyId, class: 'dialog-body' }, body),
      el('div', { class: 'dialog-actions' }, cancel, ok),
    );
    // showModal makes the page inert; aria-hidden also takes it out of the accessibility tree,
    // so that the dialog's "Unlock" is the only one a screen reader (or a test) finds
    const page = document.getElementById('app');
    dialog.addEventListener('close', () => {
      page?.removeAttribute('aria-hidden');
      resolve(dialog.returnValue === 'confirm');
      dialog.remove();
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    page?.setAttribute('aria-hidden', 'true');
    cancel.focus();
  });
}

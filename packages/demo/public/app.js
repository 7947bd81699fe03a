// The demo's only script (same origin, no inline script: the CSP allows nothing else).
// Copy buttons for the setup key and the recovery codes, a print button for the codes; the page works without it.
document.addEventListener('DOMContentLoaded', () => {
  for (const button of document.querySelectorAll('button[data-print]')) {
    button.hidden = false;
    button.addEventListener('click', () => window.print());
  }
  // the setup key is shown in groups of four: a selection of it copies the key without the spaces
  document.addEventListener('copy', (event) => {
    const key = document.getElementById('setup-key');
    const selection = document.getSelection();
    if (!key || !selection || !key.contains(selection.anchorNode) || !key.contains(selection.focusNode)) return;
    event.clipboardData.setData('text/plain', selection.toString().replace(/\s+/g, ''));
    event.preventDefault();
  });
  if (!navigator.clipboard) return;
  for (const button of document.querySelectorAll('button[data-copy]')) {
    const target = document.getElementById(button.dataset.copy);
    if (!target) continue;
    button.hidden = false;
    const label = button.querySelector('span');
    const original = label ? label.textContent : '';
    button.addEventListener('click', async () => {
      const items = target.querySelectorAll('li');
      // the setup key is shown in groups of four; the copy is the key itself
      const text = items.length ? Array.from(items, (li) => li.textContent.trim()).join('\n') : (target.dataset.plain ?? target.textContent.trim());
      await navigator.clipboard.writeText(text);
      if (label) {
        label.textContent = button.dataset.copied || 'Copied';
        setTimeout(() => (label.textContent = original), 2000);
      }
    });
  }
});

// The demo's only script (same origin, no inline script: the CSP allows nothing else).
// Copy buttons for the setup key and the recovery codes; the page works without it.
document.addEventListener('DOMContentLoaded', () => {
  if (!navigator.clipboard) return;
  for (const button of document.querySelectorAll('button[data-copy]')) {
    const target = document.getElementById(button.dataset.copy);
    if (!target) continue;
    button.hidden = false;
    const label = button.querySelector('span');
    const original = label ? label.textContent : '';
    button.addEventListener('click', async () => {
      const items = target.querySelectorAll('li');
      const text = items.length ? Array.from(items, (li) => li.textContent.trim()).join('\n') : target.textContent.trim();
      await navigator.clipboard.writeText(text);
      if (label) {
        label.textContent = 'Copied';
        setTimeout(() => (label.textContent = original), 2000);
      }
    });
  }
});

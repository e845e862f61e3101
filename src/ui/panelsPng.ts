// Every live panel's canvas in one PNG, for the person to keep.
/** Every canvas of the live panels stacked into one PNG, each under its panel's title. */
export async function panelsPng(): Promise<Blob | null> {
  const panels = [...document.querySelectorAll<HTMLElement>('.mask-panel, .chart-panel, .quality-panel')];
  const parts = panels.flatMap((panel) => {
    const title = panel.querySelector('h2')?.firstChild?.textContent ?? '';
    return [...panel.querySelectorAll('canvas')].filter((c) => c.width > 0 && c.height > 0).map((canvas) => ({ title, canvas }));
  });
  if (parts.length === 0) return null;
  const titleHeight = 28;
  const width = Math.max(...parts.map((p) => p.canvas.width));
  const height = parts.reduce((h, p) => h + titleHeight + p.canvas.height, 0);
  const out = Object.assign(document.createElement('canvas'), { width, height });
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = getComputedStyle(document.body).backgroundColor || '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = getComputedStyle(document.body).color || '#000000';
  ctx.font = '16px system-ui, sans-serif';
  let y = 0;
  for (const { title, canvas } of parts) {
    ctx.fillText(title, 8, y + 20);
    ctx.drawImage(canvas, 0, y + titleHeight);
    y += titleHeight + canvas.height;
  }
  return new Promise((resolve) => out.toBlob(resolve, 'image/png'));
}

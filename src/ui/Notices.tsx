// Readable errors and warnings (worker failures, bad links, empty folders), dismissible.
import { useAppStore } from '../store/appStore';

export function Notices() {
  const notices = useAppStore((s) => s.notices);
  const dismiss = useAppStore((s) => s.dismiss);
  if (notices.length === 0) return null;
  return (
    <div className="notices" role="alert" data-testid="notices">
      {notices.map((text, i) => (
        <p key={`${i}-${text}`}>
          {text}{' '}
          <button type="button" aria-label="Dismiss" onClick={() => dismiss(i)}>
            ×
          </button>
        </p>
      ))}
    </div>
  );
}

import { useEffect, useState } from 'preact/hooks';

/** The current time, ticking every `everyMs` while `active` (running durations, "5 min ago"). */
export function useNow(active = true, everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [active, everyMs]);
  return now;
}

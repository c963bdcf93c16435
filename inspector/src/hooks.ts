import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/**
 * A counter to refetch on, bumped at most once per `ms`: a burst of events (a test hammering PATCH)
 * becomes one reload, not one per event, while a single event still reloads within `ms`.
 */
export function useThrottledTick(ms: number): [number, () => void] {
  const [tick, setTick] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  const bump = useCallback(() => {
    if (timer.current !== null) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      setTick((t) => t + 1);
    }, ms);
  }, [ms]);
  return [tick, bump];
}

/** Re-renders every `ms` while `on` (a running clock's display). */
export function useEvery(ms: number, on: boolean): void {
  const [, setN] = useState(0);
  useEffect(() => {
    if (!on) return;
    const id = setInterval(() => setN((n) => n + 1), ms);
    return () => clearInterval(id);
  }, [ms, on]);
}

/** Copies text to the clipboard, falling back to selecting it where the Clipboard API is missing (plain http on another host). */
export async function copyText(text: string, field: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    field?.select();
    return document.execCommand?.('copy') ?? false;
  }
}

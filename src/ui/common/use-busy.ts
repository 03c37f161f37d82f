import { useState } from 'react';

/**
 * A flag that is set while one of a panel's actions runs (its buttons are disabled
 * meanwhile, so a second click cannot start the same thing twice), and the wrapper that
 * turns an action into such a click handler.
 */
export function useBusy(): [busy: boolean, whileBusy: (action: () => Promise<void>) => () => Promise<void>] {
  const [busy, setBusy] = useState(false);
  const whileBusy = (action: () => Promise<void>) => async () => {
    setBusy(true);
    try {
      await action();
    } finally {
      setBusy(false);
    }
  };
  return [busy, whileBusy];
}

import { type ComponentChildren, createContext } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, api } from '../api/client';
import type { Caller, Role } from '../api/types';
import { onTokenChange, setToken, token } from './token-store';

export interface Session {
  /** Undefined until `/me` answered. */
  caller: Caller | undefined;
  /** Reads need a token and there is none (auth.anonymousRead is off). */
  needsSignIn: boolean;
  /** Whether the caller may cancel, retry, approve (deployer or admin). */
  canDeploy: boolean;
  signIn(token: string): Promise<void>;
  signOut(): void;
  /** Changes when the token does: views keyed on it reload with the new rights. */
  epoch: number;
  /** Opens or closes the sign-in dialog. */
  promptSignIn: boolean;
  setPromptSignIn(open: boolean): void;
}

const SessionContext = createContext<Session | undefined>(undefined);

const rank: Record<Role, number> = { viewer: 1, deployer: 2, admin: 3 };

export function roleAtLeast(caller: Caller | undefined, needed: Role): boolean {
  return caller?.role !== undefined && rank[caller.role] >= rank[needed];
}

export function SessionProvider({ children }: { children: ComponentChildren }) {
  const [caller, setCaller] = useState<Caller | undefined>(undefined);
  const [needsSignIn, setNeedsSignIn] = useState(false);
  const [promptSignIn, setPromptSignIn] = useState(false);
  const [current, setCurrent] = useState(token());
  const [epoch, setEpoch] = useState(0);

  useEffect(
    () =>
      onTokenChange((t) => {
        setCurrent(t);
        setEpoch((e) => e + 1);
      }),
    [],
  );

  useEffect(() => {
    const stop = new AbortController();
    api<Caller>('/me', { signal: stop.signal }).then(
      (me) => {
        setCaller(me);
        setNeedsSignIn(false);
      },
      (err: unknown) => {
        if (!(err instanceof ApiError) || !err.unauthenticated) return;
        // A stored token Ferry no longer knows is dropped; without one, reads need a token.
        if (token() !== null) setToken(null);
        else {
          setCaller({ authenticated: false, anonymousRead: false });
          setNeedsSignIn(true);
        }
      },
    );
    return () => stop.abort();
  }, [current]);

  const signIn = useCallback(async (candidate: string) => {
    const me = await api<Caller>('/me', { token: candidate });
    if (!me.authenticated) throw new ApiError(401, 'UNAUTHENTICATED', 'Ferry did not accept this token.');
    setToken(candidate);
    setCaller(me);
    setNeedsSignIn(false);
  }, []);

  const signOut = useCallback(() => setToken(null), []);

  const value = useMemo<Session>(
    () => ({
      caller,
      needsSignIn,
      canDeploy: roleAtLeast(caller, 'deployer'),
      signIn,
      signOut,
      epoch,
      promptSignIn,
      setPromptSignIn,
    }),
    [caller, needsSignIn, signIn, signOut, epoch, promptSignIn],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error('useSession outside SessionProvider');
  return session;
}

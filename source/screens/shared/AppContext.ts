import {createContext, useContext} from 'react';
import type {Services} from '../../services/connect.js';

export type AppServices = Services;

export const ServicesContext = createContext<AppServices | undefined>(undefined);

/** The adapters and the model registry; screens reach services only through this and the hooks. */
export function useServices(): AppServices {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices() outside <ServicesContext.Provider>');
  return services;
}

/**
 * Whether a text field has the keyboard: global keys (1-6, q, ?) are off while it does.
 * Screens call setTyping(true) when a field takes focus and false when it leaves.
 */
export interface FocusState {
  typing: boolean;
  setTyping: (typing: boolean) => void;
}

export const FocusContext = createContext<FocusState>({typing: false, setTyping: () => {}});

export function useFocusState(): FocusState {
  return useContext(FocusContext);
}

/** Props every screen receives; a screen that is not active renders nothing but keeps its state. */
export interface ScreenProps {
  active: boolean;
  width: number;
  height: number;
}

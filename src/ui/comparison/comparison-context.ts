import { createContext } from 'react';
import type { ComparisonBackend } from '../../comparison/comparison-client';

/**
 * The comparison backend the panel uses. The app leaves it null: the panel then creates
 * the worker-backed one on first Start. Component tests provide a scripted one.
 */
export const ComparisonBackendContext = createContext<ComparisonBackend | null>(null);

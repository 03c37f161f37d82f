/** A fixed amount of pure integer work; returns a value so it cannot be optimised away. */
export function spin(iterations: number): number;

/** @paradox/viz */
export {};

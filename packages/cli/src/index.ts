/** @paradox/cli */
export {};

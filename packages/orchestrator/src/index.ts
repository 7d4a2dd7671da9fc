/** @paradox/orchestrator */
export {};

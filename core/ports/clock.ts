/** The time now: the system clock in the service, a fixed or stepped one in tests. */
export type Clock = () => Date;

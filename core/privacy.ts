/** `+33612345678` → `+336••••5678`: enough to tell numbers apart in logs, not enough to call them. */
export function maskPhone(phone: string): string {
  if (phone.length < 10) return '•'.repeat(Math.max(phone.length - 2, 0)) + phone.slice(-2);
  const head = phone.startsWith('+') ? 4 : 3;
  return phone.slice(0, head) + '••••' + phone.slice(-4);
}

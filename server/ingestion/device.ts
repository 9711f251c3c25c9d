/** A coarse device class from a user agent, enough for breakdowns and timing decisions. */
export function classifyDevice(userAgent: string | undefined): 'mobile' | 'tablet' | 'desktop' | undefined {
  if (!userAgent) return undefined;
  if (/iPad|Tablet|PlayBook|Silk|Android(?!.*Mobile)/i.test(userAgent)) return 'tablet';
  if (/Mobi|iPhone|iPod|Android|BlackBerry|IEMobile|Opera Mini/i.test(userAgent)) return 'mobile';
  return 'desktop';
}

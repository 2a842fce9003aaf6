/** GitLab's offset pagination: `page`, `per_page` (default 20, at most 100) and its headers. */
export function paginate<T>(
  items: T[],
  page: number | undefined,
  perPage: number | undefined,
  requestUrl: string,
): { items: T[]; headers: Record<string, string> } {
  const size = Math.min(Math.max(perPage ?? 20, 1), 100);
  const current = Math.max(page ?? 1, 1);
  const total = items.length;
  const totalPages = Math.max(Math.ceil(total / size), 1);
  const slice = items.slice((current - 1) * size, current * size);
  const link = (p: number) => {
    const url = new URL(requestUrl);
    url.searchParams.set('page', String(p));
    url.searchParams.set('per_page', String(size));
    return url.toString();
  };
  const links = [
    ...(current > 1 ? [`<${link(current - 1)}>; rel="prev"`] : []),
    ...(current < totalPages ? [`<${link(current + 1)}>; rel="next"`] : []),
    `<${link(1)}>; rel="first"`,
    `<${link(totalPages)}>; rel="last"`,
  ];
  return {
    items: slice,
    headers: {
      'x-page': String(current),
      'x-per-page': String(size),
      'x-total': String(total),
      'x-total-pages': String(totalPages),
      'x-next-page': current < totalPages ? String(current + 1) : '',
      'x-prev-page': current > 1 ? String(current - 1) : '',
      link: links.join(', '),
    },
  };
}

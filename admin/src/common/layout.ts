/** A row of inputs that wraps: react-admin inputs are full width, so each takes a grid cell. */
export const inputRow = { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(190px, 1fr))', columnGap: 2, width: '100%' } as const;

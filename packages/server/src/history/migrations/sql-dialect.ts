/** The few column types the two archive databases spell differently. */
export interface SqlTypes {
  readonly bytes: 'blob' | 'bytea';
}

export const sqliteTypes: SqlTypes = { bytes: 'blob' };
export const postgresTypes: SqlTypes = { bytes: 'bytea' };

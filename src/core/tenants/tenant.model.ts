export interface DatabaseRow {
  id: string;
  name: string;
  tenant: string;
}

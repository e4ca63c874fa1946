// Placeholder replaced by the database harness (starts a throwaway FerretDB for the run).
export default async function setup(): Promise<void> {}

// ../control-secrets.test.ts again, with its control planes on PostgreSQL: a throwaway cluster this process
// starts (or SWITCHYARD_TEST_PG_URL), a database per data dir (../test-store.ts).
process.env.SWITCHYARD_TEST_STORE = 'postgres';
await import('../control-secrets.test.js');

using Dapper;
using Microsoft.Extensions.Time.Testing;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

/// <summary>
/// The PostgreSQL schema (Storage/Migrations/postgres) on a real server: the same ledger as SQLite,
/// each migration applied once when several instances start together, and the same tables, columns
/// and indexes as the SQLite schema, so a migration added for one provider only fails here.
/// </summary>
[Category(TestCategories.Process)]
public sealed class PostgresMigrationTests
{
    static readonly FakeTimeProvider Time = new(PulseFactory.DefaultNow);

    [Test]
    public async Task Apply_FromSeveralInstancesAtOnce_AppliesEachMigrationOnce_WithTheSqliteLedger()
    {
        using var database = Postgres.CreateDatabase();
        var db = new Db(database.ConnectionString, ".", provider: StorageProvider.Postgres);

        var applied = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            using var c = db.Open();
            return Migrator.Apply(c, Time);
        })));

        using var check = db.Open();
        var ledger = check.Query<(long Version, string Name)>("SELECT version, name FROM schema_migrations ORDER BY version").ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(applied.Sum(), Is.EqualTo(Migrator.AllPostgres.Count), "each PostgreSQL migration ran once in all");
            Assert.That(ledger, Is.EqualTo(Migrator.All.Select(m => ((long)m.Version, m.Name)).ToList()), "the same history as SQLite");
            Assert.That(Migrator.CurrentVersion(check), Is.EqualTo(Migrator.LatestVersion));
        }
    }

    [Test]
    public void Schema_OnPostgres_HasTheSqliteTablesColumnsAndIndexes()
    {
        using var database = Postgres.CreateDatabase();
        using var directory = new TempDirectory();
        var sqlite = new Db($"Data Source={directory.File("pulse.db")}", directory.Path);
        var postgres = new Db(database.ConnectionString, ".", provider: StorageProvider.Postgres);
        using var s = sqlite.Open();
        using var p = postgres.Open();
        Migrator.Apply(s, Time);
        Migrator.Apply(p, Time);

        // Full-text search is each provider's own (decisions G6, GB): SQLite's FTS5 table and its shadow tables, and
        // PostgreSQL's trigram index, are left out.
        var sqliteColumns = s.Query<string>("""
            SELECT m.name || '.' || c.name FROM sqlite_master m, pragma_table_info(m.name) c
            WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
              AND NOT EXISTS (SELECT 1 FROM sqlite_master v WHERE v.type = 'table' AND v.sql LIKE 'CREATE VIRTUAL TABLE%'
                              AND m.name IN (v.name, v.name || '_data', v.name || '_idx', v.name || '_content', v.name || '_docsize', v.name || '_config'))
            """).Order(StringComparer.Ordinal).ToList();
        var postgresColumns = p.Query<string>("""
            SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = current_schema()
            """).Order(StringComparer.Ordinal).ToList();
        var sqliteIndexes = s.Query<string>("""
            SELECT tbl_name || '.' || name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
            """).Order(StringComparer.Ordinal).ToList();
        // Named indexes only: primary keys and UNIQUE constraints are implicit on both sides.
        var postgresIndexes = p.Query<string>("""
            SELECT i.tablename || '.' || i.indexname FROM pg_indexes i
            WHERE i.schemaname = current_schema()
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)
              AND i.indexdef NOT LIKE '%gin_trgm_ops%'
            """).Order(StringComparer.Ordinal).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(postgresColumns, Is.EqualTo(sqliteColumns), "tables and columns");
            Assert.That(postgresIndexes, Is.EqualTo(sqliteIndexes), "indexes");
        }
    }

    [Test]
    public void Migrations_ForPostgres_StartWithTheBaseline_AndPairEveryLaterSqliteMigration()
    {
        var baseline = Migrator.AllPostgres[0];
        var later = Migrator.All.Where(m => m.Version > baseline.Version).Select(m => (m.Version, m.Name));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(baseline.Name, Is.EqualTo("baseline"));
            Assert.That(Migrator.AllPostgres.Skip(1).Select(m => (m.Version, m.Name)), Is.EqualTo(later),
                "a SQLite migration after the baseline needs a PostgreSQL file with the same number and name");
        }
    }
}

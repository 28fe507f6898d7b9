using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

/// <summary><see cref="PreparedStatements"/> (the one statement cache) and the long-lived connections of <see cref="ReadPool"/>.</summary>
public sealed class ReadPoolTests
{
    const string Sql = "SELECT COUNT(*) FROM t WHERE v >= @Min";

    static Db NewDatabase(TempDirectory dir)
    {
        var db = new Db($"Data Source={dir.File("r.db")}", dir.Path);
        using var c = db.Open();
        Migrator.Apply(c, new FakeTimeProvider(PulseFactory.DefaultNow));
        c.Execute("CREATE TABLE t (v INTEGER NOT NULL)");
        return db;
    }

    /// <summary>How many times SQLite ran the prepared statement with this SQL on the connection (SQLITE_STMTSTATUS_RUN).</summary>
    static int Runs(SqliteConnection c, string sql)
    {
        for (var stmt = SQLitePCL.raw.sqlite3_next_stmt(c.Handle, null); stmt is not null && !stmt.IsInvalid;
             stmt = SQLitePCL.raw.sqlite3_next_stmt(c.Handle, stmt))
            if (SQLitePCL.raw.sqlite3_sql(stmt).utf8_to_string() == sql)
                return SQLitePCL.raw.sqlite3_stmt_status(stmt, 6, 0);
        return 0;
    }

    /// <summary>Decisions MM1: scans map the file; other reads and the read pool do not, whichever used a pooled connection before.</summary>
    [Test]
    public void Scans_MapTheFile_OtherReadsAndThePoolDoNot()
    {
        using var dir = new TempDirectory();
        var db = NewDatabase(dir);
        long Mapped(System.Data.Common.DbConnection c) => c.ExecuteScalar<long>("PRAGMA mmap_size");

        long scan, after, pooled;
        using (var c = db.OpenForScans())
            scan = Mapped(c);
        using (var c = db.Open())
            after = Mapped(c); // Microsoft.Data.Sqlite hands the same pooled connection back
        using (db.OpenForScans())
        {
            // Closed again: the pool below takes this connection from Microsoft.Data.Sqlite's pool.
        }
        using (var pool = new ReadPool(db))
        using (var reader = pool.Rent())
            pooled = Mapped(reader.Connection);
        var off = new Db($"Data Source={dir.File("r.db")}", dir.Path, mmapBytes: 0);
        long setting;
        using (var c = off.OpenForScans())
            setting = Mapped(c);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(scan, Is.EqualTo(Math.Min(db.MmapBytes, 0x7fff0000)).And.GreaterThan(0), "a scan maps the file");
            Assert.That(after, Is.Zero, "the next ordinary read of that connection maps nothing");
            Assert.That(pooled, Is.Zero, "the read pool maps nothing");
            Assert.That(setting, Is.Zero, "Storage:SqliteMmapMiB = 0 maps nothing");
        }
    }

    [Test]
    public void PooledReader_ReusesItsPreparedStatement_AndSeesWritesCommittedSinceItsLastUse()
    {
        using var dir = new TempDirectory();
        var db = NewDatabase(dir);
        using var pool = new ReadPool(db);

        System.Data.Common.DbCommand first;
        long before;
        using (var reader = pool.Rent())
        {
            ((Microsoft.Data.Sqlite.SqliteConnection)reader.Connection).Handle!.enable_sqlite3_next_stmt(true);
            first = reader.Connection.Prepared(null, Sql);
            before = (long)first.Bind("@Min", 0).ExecuteScalar()!;
        }
        using (var writer = db.OpenWriter())
            writer.Execute("INSERT INTO t (v) VALUES (1), (2), (3)");

        using var again = pool.Rent();
        var second = again.Connection.Prepared(null, Sql);
        var after = (long)second.Bind("@Min", 2).ExecuteScalar()!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(second, Is.SameAs(first), "the same connection's prepared command comes back");
            Assert.That(Runs((Microsoft.Data.Sqlite.SqliteConnection)again.Connection, Sql), Is.EqualTo(2), "one SQLite statement, prepared once and run twice");
            Assert.That(before, Is.Zero);
            Assert.That(after, Is.EqualTo(2), "an idle pooled connection holds no old snapshot");
        }
    }

    [Test]
    public void Prepared_BindsByName_AndNeverKeepsAValueFromTheLastUse()
    {
        using var dir = new TempDirectory();
        var db = NewDatabase(dir);
        using var c = (Microsoft.Data.Sqlite.SqliteConnection)db.OpenWriter();
        c.Handle!.enable_sqlite3_next_stmt(true);
        c.Execute("INSERT INTO t (v) VALUES (1), (2), (3)");
        const string Between = "SELECT COUNT(*) FROM t WHERE v >= @Min AND v <= @Max";

        var bound = (long)c.Prepared(null, Between).Bind("@Max", 2).Bind("@Min", 2).ExecuteScalar()!;
        var forgotten = Assert.Throws<InvalidOperationException>(() => c.Prepared(null, Between).Bind("@Min", 1).ExecuteScalar());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(bound, Is.EqualTo(1), "order of binding does not matter, names do");
            Assert.That(forgotten!.Message, Does.Contain("@Max"), "an unbound parameter fails instead of reusing 2");
            Assert.That(Runs(c, Between), Is.EqualTo(1));
        }
    }

    /// <summary>
    /// On PostgreSQL a statement is prepared after its second use (Npgsql's automatic preparation); every later
    /// use must still run with its own values (a kept command ran with those of the use that prepared it).
    /// </summary>
    [Test]
    [Category(TestCategories.Process)]
    public void Prepared_OnPostgres_RunsEachUseWithItsOwnValues_AfterNpgsqlPreparedIt()
    {
        using var database = Postgres.CreateDatabase();
        var db = new Db(database.ConnectionString, ".", provider: StorageProvider.Postgres);
        using var pool = new ReadPool(db);
        using (var setup = db.Open())
            setup.Execute("CREATE TABLE t (v BIGINT NOT NULL); INSERT INTO t (v) VALUES (1), (2), (3)");

        var counts = new List<long>();
        using (var reader = pool.Rent())
            foreach (var min in new[] { 1, 2, 3, 4, 1, 3 })
                counts.Add((long)reader.Connection.Prepared(null, Sql).Bind("@Min", min).ExecuteScalar()!);

        Assert.That(counts, Is.EqualTo(new long[] { 3, 2, 1, 0, 3, 1 }));
    }
}

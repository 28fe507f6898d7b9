using Dapper;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

public sealed class ReadPoolTests
{
    [Test]
    public void PooledReader_ReusesItsPreparedCommand_AndSeesWritesCommittedSinceItsLastUse()
    {
        using var dir = new TempDirectory();
        var db = new Db($"Data Source={dir.File("r.db")}", dir.Path);
        using (var c = db.Open())
        {
            Migrator.Apply(c, new FakeTimeProvider(PulseFactory.DefaultNow));
            c.Execute("CREATE TABLE t (v INTEGER NOT NULL)");
        }
        using var pool = new ReadPool(db);
        const string Sql = "SELECT COUNT(*) FROM t WHERE v >= @Min";

        Microsoft.Data.Sqlite.SqliteCommand first;
        long before;
        using (var reader = pool.Rent())
        {
            first = reader.Command(Sql, "@Min");
            first.Parameters[0].Value = 0;
            before = (long)first.ExecuteScalar()!;
        }
        using (var writer = db.OpenWriter())
            writer.Execute("INSERT INTO t (v) VALUES (1), (2), (3)");

        using var again = pool.Rent();
        var second = again.Command(Sql, "@Min");
        second.Parameters[0].Value = 2;
        var after = (long)second.ExecuteScalar()!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(second, Is.SameAs(first), "the same connection's prepared command comes back");
            Assert.That(before, Is.Zero);
            Assert.That(after, Is.EqualTo(2), "an idle pooled connection holds no old snapshot");
        }
    }
}

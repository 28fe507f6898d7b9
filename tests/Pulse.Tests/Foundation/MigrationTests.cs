using Dapper;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

public sealed class MigrationTests
{
    static readonly TimeProvider Time = new FakeTimeProvider(PulseFactory.DefaultNow);

    [Test]
    public void Migrations_AreNumberedWithoutGaps_FromOne()
    {
        var versions = Migrator.All.Select(m => m.Version).ToList();
        Assert.That(versions, Is.Ordered.And.Unique);
        Assert.That(versions[0], Is.EqualTo(1));
    }

    [Test]
    public void Apply_Twice_AppliesEachMigrationOnce()
    {
        using var dir = new TempDirectory();
        var db = new Db($"Data Source={dir.File("p.db")}", dir.Path);
        using var c = db.Open();

        var first = Migrator.Apply(c, Time);
        var second = Migrator.Apply(c, Time);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo(Migrator.All.Count));
            Assert.That(second, Is.Zero);
            Assert.That(c.ExecuteScalar<long>("SELECT COUNT(*) FROM schema_migrations"), Is.EqualTo(Migrator.All.Count));
            Assert.That(Migrator.CurrentVersion(c), Is.EqualTo(Migrator.LatestVersion));
            Assert.That(c.ExecuteScalar<string>("PRAGMA journal_mode"), Is.EqualTo("wal"));
            Assert.That(c.ExecuteScalar<long>("PRAGMA foreign_keys"), Is.EqualTo(1));
        }
    }

    [Test]
    public void Apply_OnDatabaseAtOlderLevel_UpgradesInPlaceKeepingData()
    {
        using var dir = new TempDirectory();
        var db = new Db($"Data Source={dir.File("old.db")}", dir.Path);
        using var c = db.Open();
        Migrator.Apply(c, Time, upTo: 1);
        c.Execute("""
            INSERT INTO workspaces (id, name, product_name, site_key, identity_secret, created_at, updated_at)
            VALUES ('ws_old', 'Old', 'Old', 'pk_old', 'ids_old', 1, 1)
            """);
        Assert.That(Migrator.CurrentVersion(c), Is.EqualTo(1));

        var applied = Migrator.Apply(c, Time);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(applied, Is.EqualTo(Migrator.All.Count(m => m.Version > 1)));
            Assert.That(Migrator.CurrentVersion(c), Is.EqualTo(Migrator.LatestVersion));
            Assert.That(c.ExecuteScalar<string>("SELECT name FROM workspaces WHERE id = 'ws_old'"), Is.EqualTo("Old"));
            Assert.That(c.ExecuteScalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'responses'"), Is.EqualTo(1));
        }
    }

    [Test]
    public void Db_RelativeDataSource_IsCreatedUnderContentRoot()
    {
        using var dir = new TempDirectory();
        var db = new Db("Data Source=data/pulse.db", dir.Path);
        using var c = db.Open();
        Migrator.Apply(c, Time);
        Assert.That(File.Exists(Path.Combine(dir.Path, "data", "pulse.db")), Is.True);
    }
}

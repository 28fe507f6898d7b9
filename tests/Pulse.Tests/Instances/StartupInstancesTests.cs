using Dapper;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.Instances;

/// <summary>
/// Several API instances starting at once on a new PostgreSQL database: each applies the migrations and brings the
/// pair keys in line with its settings at start-up, and every one of them must start (docs/decisions.md I7).
/// </summary>
[Category(TestCategories.Process)]
public sealed class StartupInstancesTests
{
    [Test]
    public async Task ThreeInstancesStartingAtOnce_OnANewDatabase_AllStart_AndStoreThePairKeysOnce()
    {
        for (var round = 0; round < 3; round++)
        {
            using var first = new PulseFactory(provider: StorageProvider.Postgres);
            using var second = new PulseFactory(time: first.Time, sameDatabaseAs: first);
            using var third = new PulseFactory(time: first.Time, sameDatabaseAs: first);
            PulseFactory[] apps = [first, second, third];

            await Task.WhenAll(apps.Select(app => Task.Run(() => _ = app.Server)));

            var ready = new List<int>();
            foreach (var app in apps)
            {
                using var http = app.CreateClient();
                ready.Add((int)(await http.GetAsync("/readyz")).StatusCode);
            }
            using var c = first.Db.Open();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(ready, Is.All.EqualTo(200), $"round {round}: every instance started");
                Assert.That(c.Query<string>("SELECT key FROM nps_pair_keys ORDER BY key"), Is.EqualTo(new[] { "@channel", "@locale", "@variant" }));
            }
        }
    }
}

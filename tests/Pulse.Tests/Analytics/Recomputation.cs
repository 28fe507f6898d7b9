using System.Data.Common;
using Dapper;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.Analytics;

/// <summary>Compares what the write hooks maintained with a recomputation from raw rows, without keeping the recomputation.</summary>
static class Recomputation
{
    /// <summary>
    /// The rows of <paramref name="dump"/> as the hooks left them, and after <paramref name="recompute"/>
    /// ran in a savepoint of the writer's transaction that is then rolled back.
    /// </summary>
    public static Task<(List<string> Maintained, List<string> Recomputed)> Of(PulseFactory app, string dump, Action<DbConnection, DbTransaction> recompute) =>
        app.Services.GetRequiredService<WriteQueue>().ExecuteAsync((c, tx) =>
        {
            var before = c.Query<string>(dump, transaction: tx).ToList();
            tx.Save("recompute");
            recompute(c, tx);
            var after = c.Query<string>(dump, transaction: tx).ToList();
            tx.Rollback("recompute");
            tx.Release("recompute");
            return (before, after);
        });
}

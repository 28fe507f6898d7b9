using Pulse.Api.Analytics;
using Pulse.Api.Storage;

namespace Pulse.Api.FollowUps;

/// <summary>What account health needs of the follow-ups: the workspace's formula and the overdue detractor follow-ups per account.</summary>
public sealed class AccountHealthSource(Db db) : IAccountHealthSource
{
    public AccountHealthSettings Settings(string workspaceId)
    {
        using var c = db.Open();
        return FollowUpStore.Settings(c, null, workspaceId).AccountHealth;
    }

    public IReadOnlyDictionary<string, long> OverdueDetractorFollowUps(string workspaceId, IReadOnlyList<string> surveyIds, long now)
    {
        using var c = db.Open();
        return FollowUpStore.OverdueDetractorsByAccount(c, workspaceId, surveyIds, now);
    }
}

using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Pulse.Api.Storage;

namespace Pulse.Api.FollowUps;

/// <summary>A follow-up as it now stands (joined with its response and display snapshot), and when the change happened.</summary>
public sealed record FollowUpWritten(string WorkspaceId, FollowUpRow FollowUp, long At);

/// <summary>
/// What must happen with a change of a follow-up, in its transaction (see <see cref="IWriteHook"/>):
/// the webhook outbox turns these into <c>follow_up.assigned</c>, <c>follow_up.closed</c> and
/// <c>follow_up.overdue</c> events.
/// </summary>
public interface IFollowUpHook : IWriteHook
{
    /// <summary>A follow-up got an assignee (opened with one, or a different member named).</summary>
    void FollowUpAssigned(DbConnection c, DbTransaction tx, FollowUpWritten followUp) { }

    /// <summary>A follow-up moved to closed.</summary>
    void FollowUpClosed(DbConnection c, DbTransaction tx, FollowUpWritten followUp) { }

    /// <summary>An open follow-up's due date passed (once per due date).</summary>
    void FollowUpOverdue(DbConnection c, DbTransaction tx, FollowUpWritten followUp) { }
}

/// <summary>All registered <see cref="IFollowUpHook"/>s, called in registration order.</summary>
public sealed class FollowUpHooks(IEnumerable<IFollowUpHook> hooks) : WriteHooks<IFollowUpHook>(hooks)
{
    public void FollowUpAssigned(DbConnection c, DbTransaction tx, FollowUpWritten e) => Each(h => h.FollowUpAssigned(c, tx, e));

    public void FollowUpClosed(DbConnection c, DbTransaction tx, FollowUpWritten e) => Each(h => h.FollowUpClosed(c, tx, e));

    public void FollowUpOverdue(DbConnection c, DbTransaction tx, FollowUpWritten e) => Each(h => h.FollowUpOverdue(c, tx, e));

    /// <summary>Raises what a change from <paramref name="before"/> (null: just opened) to the follow-up's current state means.</summary>
    public void Changed(DbConnection c, DbTransaction tx, string workspaceId, FollowUpState? before, string followUpId, long now)
    {
        if (FollowUpStore.FindInWriter(c, tx, workspaceId, followUpId) is not { } row)
            return;
        var written = new FollowUpWritten(workspaceId, row, now);
        if (row.AssigneeId is not null && row.AssigneeId != before?.AssigneeId)
            FollowUpAssigned(c, tx, written);
        if (row.Status == FollowUpStatus.Closed && before?.Status != FollowUpStatus.Closed)
            FollowUpClosed(c, tx, written);
    }
}

/// <summary>Settings of the follow-up workflow's background work (section <c>FollowUps</c>).</summary>
public sealed class FollowUpOptions
{
    public const string Section = "FollowUps";

    /// <summary>How often (real time) Pulse looks for follow-ups whose due date has passed, to raise <c>follow_up.overdue</c>.</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan OverdueCheckInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Raises <c>follow_up.overdue</c> once per due date: each round, in one write command, it marks the
/// follow-ups not closed whose due date (by the injected <see cref="TimeProvider"/>) has passed and
/// that were not announced yet, and calls the hooks in the same transaction. The mark and the
/// event commit together, so a restart neither repeats nor loses one.
/// </summary>
public sealed class FollowUpOverdueWatcher(WriteQueue writer, TimeProvider time, FollowUpHooks hooks, IOptions<FollowUpOptions> options,
    ILogger<FollowUpOverdueWatcher> log) : BackgroundService
{
    /// <summary>Follow-ups announced per write command, so one round never holds the writer long.</summary>
    const int Batch = 200;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await writer.ExecuteAsync(Announce) == Batch)
                {
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The writer is busy or stopping, or a hook failed (rolled back): the next round tries again.
                log.LogWarning(ex, "Looking for overdue follow-ups failed");
            }
            try
            {
                await Task.Delay(options.Value.OverdueCheckInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    int Announce(DbConnection c, DbTransaction tx)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var due = FollowUpStore.NewlyOverdue(c, tx, now, Batch);
        foreach (var (workspaceId, id) in due)
        {
            if (FollowUpStore.MarkOverdueSent(c, tx, id, now) && FollowUpStore.Find(c, tx, workspaceId, id) is { } row)
                hooks.FollowUpOverdue(c, tx, new FollowUpWritten(workspaceId, row, now));
        }
        return due.Count;
    }
}

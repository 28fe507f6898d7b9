using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Pulse.Api.Operations;
using Pulse.Api.Storage;

namespace Pulse.Api.Surveys;

/// <summary>Settings of the <c>Surveys</c> section.</summary>
public sealed class SurveyOptions
{
    public const string Section = "Surveys";

    /// <summary>
    /// How long a workspace's surveys stay cached for eligibility. Changes made through this
    /// process invalidate the cache at once; another process sharing the database sees them
    /// within this many seconds. 0 turns the cache off.
    /// </summary>
    [Range(0, 3600)]
    public int CacheSeconds { get; set; } = 5;

    /// <summary>Active surveys one workspace may have; creating or activating one more is 409.</summary>
    [Range(1, 10_000)]
    public int MaxActivePerWorkspace { get; set; } = 50;

    /// <summary>Surveys (active or paused, not deleted) one workspace may have; creating one more is 409.</summary>
    [Range(1, 10_000)]
    public int MaxPerWorkspace { get; set; } = 200;
}

/// <summary>
/// The live surveys of each workspace, kept in memory for a few seconds so the eligibility hot
/// path does not re-read and re-parse them on every call. Survey writes of this process call
/// <see cref="Invalidate"/> after they commit, which on PostgreSQL also evicts the entry on every other instance
/// (<see cref="CacheNotifications"/>). The clock is the monotonic one, not the injected
/// <see cref="TimeProvider"/>: moving test time never ages a cache entry.
/// <para>
/// Loads are single flight: one caller per workspace reads the database at a time. Callers that
/// find no usable entry wait for that load; callers that find an expired one get it at once while
/// the load runs (so a slow load never queues a workspace's traffic), and an entry's lifetime
/// starts when its load ends (so a load slower than the lifetime is not repeated on every call).
/// Reloading an expired entry reads and parses only the surveys whose <c>updated_at</c> moved.
/// </para>
/// </summary>
public sealed class SurveyCache
{
    readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    readonly Func<string, IReadOnlyList<Survey>?, IReadOnlyList<Survey>> _load;
    readonly long _ttl;
    readonly Func<long> _clock;
    readonly Counter<long> _loads;

    /// <summary>The topic of <see cref="CacheNotifications"/> that another instance's survey writes arrive on.</summary>
    public const string Topic = "surveys";

    readonly CacheNotifications? _notifications;

    public SurveyCache(SurveyStore store, IOptions<SurveyOptions> options, PulseMetrics metrics, CacheNotifications notifications)
        : this(store.List, TimeSpan.FromSeconds(options.Value.CacheSeconds), Stopwatch.GetTimestamp, metrics)
    {
        _notifications = notifications;
        notifications.Subscribe(Topic, Evict);
    }

    /// <summary>For tests: any loader (given the workspace and the surveys it may reuse) and a clock in <see cref="Stopwatch"/> ticks.</summary>
    internal SurveyCache(Func<string, IReadOnlyList<Survey>?, IReadOnlyList<Survey>> load, TimeSpan ttl, Func<long> clock, PulseMetrics metrics)
    {
        _load = load;
        _ttl = (long)(ttl.TotalSeconds * Stopwatch.Frequency);
        _clock = clock;
        _loads = metrics.Meter.CreateCounter<long>("pulse.surveys.cache_loads", unit: "{load}",
            description: "Reads of a workspace's surveys from the database by the survey cache");
    }

    sealed record Entry(long LoadedAt, long Generation, IReadOnlyList<Survey> Surveys);

    /// <summary>One workspace: its entry, the load in flight, and how many times this process changed its surveys.</summary>
    sealed class Slot
    {
        public readonly Lock Gate = new();
        public Entry? Entry;
        public Task<Entry>? Loading;
        public long LoadingGeneration;
        public long Generation;
    }

    /// <summary>Counts this process's survey writes for a workspace, so answers derived from its surveys can tell they changed.</summary>
    public long Generation(string workspaceId)
    {
        if (!_slots.TryGetValue(workspaceId, out var slot))
            return 0;
        lock (slot.Gate)
            return slot.Generation;
    }

    /// <summary>The workspace's live surveys, highest priority first.</summary>
    public async ValueTask<IReadOnlyList<Survey>> GetAsync(string workspaceId)
    {
        if (_ttl <= 0)
            return Load(workspaceId, null);
        var slot = _slots.GetOrAdd(workspaceId, _ => new Slot());
        TaskCompletionSource<Entry>? mine = null;
        Task<Entry>? running = null;
        IReadOnlyList<Survey>? previous;
        long generation;
        lock (slot.Gate)
        {
            generation = slot.Generation;
            // An expired entry's surveys are reused where unchanged; after an invalidation everything is read again.
            previous = slot.Entry?.Generation == generation ? slot.Entry.Surveys : null;
            if (slot.Entry is { } entry && entry.Generation == generation
                // Fresh, or expired while another caller reloads it: either way, no wait and no second load.
                && (_clock() - entry.LoadedAt < _ttl || slot.Loading is not null))
                return entry.Surveys;
            // A load started before the latest invalidation could miss that write: only join a current one.
            if (slot.Loading is { } loading && slot.LoadingGeneration == generation)
                running = loading;
            else
            {
                mine = new TaskCompletionSource<Entry>(TaskCreationOptions.RunContinuationsAsynchronously);
                slot.Loading = mine.Task;
                slot.LoadingGeneration = generation;
            }
        }
        if (mine is null)
            return (await running!).Surveys;
        try
        {
            var surveys = Load(workspaceId, previous);
            var fresh = new Entry(_clock(), generation, surveys); // the lifetime starts now, not when the load began
            lock (slot.Gate)
            {
                if (slot.Loading == mine.Task)
                    slot.Loading = null;
                // An invalidation while this load ran wins: the entry is not kept.
                if (slot.Generation == generation)
                    slot.Entry = fresh;
            }
            mine.SetResult(fresh);
            return fresh.Surveys;
        }
        catch (Exception ex)
        {
            lock (slot.Gate)
                if (slot.Loading == mine.Task)
                    slot.Loading = null;
            mine.SetException(ex);
            throw;
        }
    }

    IReadOnlyList<Survey> Load(string workspaceId, IReadOnlyList<Survey>? previous)
    {
        var surveys = _load(workspaceId, previous);
        _loads.Add(1);
        return surveys;
    }

    /// <summary>Drops the workspace's entry here and on the other instances; call after a survey write has committed.</summary>
    public void Invalidate(string workspaceId)
    {
        Evict(workspaceId);
        _notifications?.Publish(Topic, workspaceId);
    }

    /// <summary>Drops the workspace's entry (every workspace's when null) in this process.</summary>
    public void Evict(string? workspaceId)
    {
        foreach (var slot in workspaceId is null ? _slots.Values : [_slots.GetOrAdd(workspaceId, _ => new Slot())])
        {
            lock (slot.Gate)
            {
                slot.Generation++;
                slot.Entry = null;
            }
        }
    }
}

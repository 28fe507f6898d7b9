using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using Microsoft.Extensions.Options;

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
}

/// <summary>
/// The live surveys of each workspace, kept in memory for a few seconds so the eligibility hot
/// path does not re-read and re-parse them on every call. Survey writes of this process call
/// <see cref="Invalidate"/> after they commit. The clock is the monotonic one, not the injected
/// <see cref="TimeProvider"/>: moving test time never ages a cache entry.
/// </summary>
public sealed class SurveyCache(SurveyStore store, IOptions<SurveyOptions> options)
{
    readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    readonly long _ttl = (long)(options.Value.CacheSeconds * Stopwatch.Frequency);

    sealed record Entry(long LoadedAt, IReadOnlyList<Survey> Surveys);

    long _version;
    readonly ConcurrentDictionary<string, long> _generations = new(StringComparer.Ordinal);

    /// <summary>Counts this process's survey writes for a workspace, so answers derived from its surveys can tell they changed.</summary>
    public long Generation(string workspaceId) => _generations.GetValueOrDefault(workspaceId);

    /// <summary>The workspace's live surveys, highest priority first.</summary>
    public IReadOnlyList<Survey> Get(string workspaceId)
    {
        var now = Stopwatch.GetTimestamp();
        if (_ttl > 0 && _entries.TryGetValue(workspaceId, out var entry) && now - entry.LoadedAt < _ttl)
            return entry.Surveys;
        // An invalidation that races with this load must win: note the version before reading,
        // and withdraw the entry if it moved while the entry was being stored.
        var version = Interlocked.Read(ref _version);
        var surveys = store.List(workspaceId);
        if (_ttl > 0)
        {
            var fresh = new Entry(now, surveys);
            _entries[workspaceId] = fresh;
            if (Interlocked.Read(ref _version) != version)
                _entries.TryRemove(new KeyValuePair<string, Entry>(workspaceId, fresh));
        }
        return surveys;
    }

    /// <summary>Drops the workspace's entry; call after a survey write has committed.</summary>
    public void Invalidate(string workspaceId)
    {
        Interlocked.Increment(ref _version);
        _generations.AddOrUpdate(workspaceId, 1, (_, g) => g + 1);
        _entries.TryRemove(workspaceId, out _);
    }
}

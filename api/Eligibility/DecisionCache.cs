using System.Data.Common;
using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Pulse.Api.Displays;
using Pulse.Api.Privacy;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Eligibility;

/// <summary>
/// Recent "not eligible" answers, so a user who loads page after page costs no database read.
/// An answer is reused only for the same workspace, user and event, the same survey and
/// workspace settings (<see cref="Version"/>), the same user data in the request, a last-seen
/// time still within its resolution, and only until the first instant at which time alone could
/// change the answer (<see cref="EligibilityRules.StableUntil"/>) and at most
/// <c>Eligibility:DecisionCacheSeconds</c> of the injected clock. Eligible answers are never cached,
/// and every display, response, decline and erasure written by this process drops the user's entry.
/// What another process writes (a second API instance) can make a cached reason stale for at most
/// that time limit, and such writes only ever make a user less eligible; a survey is never shown
/// twice, because showing one always goes through the writer's re-check.
/// </summary>
public sealed class DecisionCache(TimeSpan ttl, int maxEntries)
{
    readonly ConcurrentDictionary<ulong, Entry> _entries = new();
    readonly long _ttlMs = (long)ttl.TotalMilliseconds;
    int _count;

    readonly record struct Entry(string? Event, string Reason, long Until, ulong Sighting, long LastSeenAt, long Version);

    public bool Enabled => _ttlMs > 0;

    /// <summary>The reason to answer again, when an entry matches in every respect.</summary>
    public bool TryGet(string workspaceId, string userId, string? eventName, long now, long version, ulong sighting, long lastSeenResolutionMs,
        out string reason)
    {
        reason = "";
        if (!Enabled || !_entries.TryGetValue(Key(workspaceId, userId), out var e))
            return false;
        if (e.Until <= now || e.Version != version || e.Sighting != sighting || e.Event != eventName || now - e.LastSeenAt >= lastSeenResolutionMs)
            return false;
        reason = e.Reason;
        return true;
    }

    /// <summary>Remembers a "not eligible" answer until <paramref name="stableUntil"/> or the time limit, whichever is first.</summary>
    public void Set(string workspaceId, string userId, string? eventName, string reason, long now, long stableUntil, long version, ulong sighting, long lastSeenAt)
    {
        if (!Enabled || stableUntil <= now)
            return;
        // A bound on memory, not an LRU: past it the cache starts over, which costs only reads.
        // The bound reads a counter kept beside the map: ConcurrentDictionary.Count takes every lock
        // of the map, on every miss of the hot path (decisions H1).
        if (Volatile.Read(ref _count) >= maxEntries)
        {
            _entries.Clear();
            Volatile.Write(ref _count, 0);
        }
        var key = Key(workspaceId, userId);
        var entry = new Entry(eventName, reason, Math.Min(now + _ttlMs, stableUntil), sighting, lastSeenAt, version);
        if (_entries.TryAdd(key, entry))
            Interlocked.Increment(ref _count);
        else
            _entries[key] = entry;
    }

    public void Forget(string workspaceId, string userId)
    {
        if (_entries.TryRemove(Key(workspaceId, userId), out _))
            Interlocked.Decrement(ref _count);
    }

    public int Count => _entries.Count;

    /// <summary>
    /// Changes whenever a survey or the workspace's settings change: this process's survey writes
    /// bump <paramref name="surveysGeneration"/>; edits by another process show in the surveys'
    /// <c>UpdatedAt</c> once the survey cache reloads them.
    /// </summary>
    public static long Version(Workspace workspace, IReadOnlyList<Survey> surveys, long surveysGeneration = 0)
    {
        var hash = new HashCode();
        hash.Add(workspace.UpdatedAt);
        hash.Add(workspace.FatigueDays);
        hash.Add(surveysGeneration);
        foreach (var s in surveys)
        {
            hash.Add(s.Id);
            hash.Add(s.UpdatedAt);
        }
        return hash.ToHashCode() ^ ((long)surveys.Count << 32);
    }

    /// <summary>A 64-bit fingerprint of what a request says about the user (email, sign-up, traits).</summary>
    public static ulong Fingerprint(string? email, long? signedUpAt, string? traitsJson)
    {
        var h = Fnv(Fnv(0xcbf29ce484222325UL, email), traitsJson);
        return (h ^ (ulong)(signedUpAt ?? -1)) * 0x100000001b3UL;
    }

    /// <summary>The key is a 64-bit hash of workspace and user: a collision could at worst reuse a "not eligible".</summary>
    static ulong Key(string workspaceId, string userId) => Fnv(Fnv(0xcbf29ce484222325UL, workspaceId), userId);

    static ulong Fnv(ulong hash, string? text)
    {
        if (text is null)
            return (hash ^ 0xff) * 0x100000001b3UL;
        foreach (var ch in text)
            hash = (hash ^ ch) * 0x100000001b3UL;
        return (hash ^ 0xfe) * 0x100000001b3UL;
    }
}

/// <summary>Drops a user's cached answer whenever this process writes something that concerns them.</summary>
sealed class DecisionCacheHook(DecisionCache cache) : IDisplayHook, IResponseHook, IPrivacyHook
{
    public void DisplayCreated(DbConnection c, DbTransaction tx, DisplayWritten display) =>
        cache.Forget(display.WorkspaceId, display.UserId);

    public void ResponseSaved(DbConnection c, DbTransaction tx, ResponseWritten response) =>
        cache.Forget(response.Display.WorkspaceId, response.Display.UserId);

    public void DeclineSaved(DbConnection c, DbTransaction tx, DeclineWritten decline) =>
        cache.Forget(decline.Display.WorkspaceId, decline.Display.UserId);

    public void UserOptedOut(DbConnection c, DbTransaction tx, string workspaceId, string userId) =>
        cache.Forget(workspaceId, userId);

    public void UserErased(DbConnection c, DbTransaction tx, string workspaceId, string userId) =>
        cache.Forget(workspaceId, userId);
}

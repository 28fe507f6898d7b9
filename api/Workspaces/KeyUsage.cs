using System.Collections.Concurrent;
using Pulse.Api.Storage;

namespace Pulse.Api.Workspaces;

/// <summary>
/// Stamps the time a secret key was last used, so the dashboard can show which keys are alive.
/// A busy server key authenticates thousands of times a second, so the stamp is written through
/// the writer at most once per <see cref="Resolution"/> per key (this process remembers what it
/// wrote; the stored value covers restarts). The stamp is best effort: when the writer refuses
/// (full queue, shutdown) the request goes on and a later one stamps.
/// </summary>
public sealed partial class KeyUsage(WriteQueue writer, TimeProvider time, ILogger<KeyUsage> log)
{
    /// <summary>A key's last use is at most this old.</summary>
    public static readonly TimeSpan Resolution = TimeSpan.FromMinutes(1);

    readonly ConcurrentDictionary<string, long> _written = new(StringComparer.Ordinal);

    public async Task RecordAsync(string keyId, long? storedLastUsedAt)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var last = Math.Max(storedLastUsedAt ?? long.MinValue, _written.GetValueOrDefault(keyId, long.MinValue));
        if (last > now - (long)Resolution.TotalMilliseconds)
            return;
        _written[keyId] = now;
        try
        {
            await writer.ExecuteAsync((c, tx) => WorkspaceStore.RecordKeyUse(c, tx, keyId, now));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _written.TryRemove(keyId, out _);
            LogNotRecorded(log, keyId, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The last use of key {KeyId} was not recorded: {Reason}")]
    static partial void LogNotRecorded(ILogger logger, string keyId, string reason);
}

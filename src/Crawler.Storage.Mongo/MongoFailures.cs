using System.Text.RegularExpressions;
using MongoDB.Driver;

namespace Crawler.Storage.Mongo;

/// <summary>
/// The store's error taxonomy applied to the driver's exceptions. A server that cannot be reached, is
/// electing a primary, shuts down or times out is <em>unavailable</em>: <see cref="StoreUnavailableException"/>,
/// on which the archive writer keeps the batch and retries with backoff (the crawl pauses). Refused
/// credentials or privileges are reported the same way (the node cannot start without its store) but with a
/// message that says what to fix in <see cref="MongoStoreOptions.Setting"/>. Anything else (a document the
/// server refuses, a bug) propagates unchanged so that it is never taken for an outage and retried forever.
/// </summary>
internal static partial class MongoFailures
{
    /// <summary>Server error codes of an operation that failed for want of a usable server (see the server's error_codes.yml).</summary>
    private static readonly HashSet<int> UnavailableCodes =
    [
        6,     // HostUnreachable
        7,     // HostNotFound
        50,    // MaxTimeMSExpired
        89,    // NetworkTimeout
        91,    // ShutdownInProgress
        189,   // PrimarySteppedDown
        262,   // ExceededTimeLimit
        9001,  // SocketException
        10107, // NotWritablePrimary
        11600, // InterruptedAtShutdown
        11602, // InterruptedDueToReplStateChange
        13435, // NotPrimaryNoSecondaryOk
        13436, // NotPrimaryOrSecondary
        64,    // WriteConcernFailed (wtimeout: the majority did not acknowledge in time)
    ];

    /// <summary>AuthenticationFailed (18) and Unauthorized (13): the user or its privileges are wrong.</summary>
    private static readonly HashSet<int> CredentialCodes = [13, 18];

    /// <summary>
    /// The store's exception for <paramref name="error"/>, or null when the error is not the store's
    /// availability (then the caller lets it propagate).
    /// </summary>
    public static StoreUnavailableException? Classify(Exception error, string location, string what)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error is OperationCanceledException or StoreUnavailableException)
        {
            return null;
        }

        if (IsCredentials(error))
        {
            return new StoreUnavailableException(
                $"MongoDB store {location} {what}: the server refused the credentials or their privileges ({Redact(Innermost(error).Message)}). "
                + $"Fix the user name, password, authSource or the user's roles (readWrite on the database) in {MongoStoreOptions.Setting} "
                + "or the file or environment variable it is read from.", error);
        }

        if (IsUnavailable(error))
        {
            return new StoreUnavailableException(
                $"MongoDB store {location} {what}: {Reason(error)} (check that the server named in {MongoStoreOptions.Setting} "
                + "is running and reachable from this node; a crawl pauses and retries).", error);
        }

        return null;
    }

    /// <summary>The connection string as a message may show it: every <c>user:password@</c> removed.</summary>
    public static string Redact(string text) => Credentials().Replace(text, "://");

    /// <summary>
    /// The failure in one line. The driver's server-selection time-out describes the whole cluster, with stack traces;
    /// what a reader needs from it is how long it waited and the last connection error (e.g. "Connection refused").
    /// </summary>
    internal static string Reason(Exception error)
    {
        var message = error.Message;
        if (error is TimeoutException && message.Contains("selecting a server", StringComparison.Ordinal))
        {
            var waited = Waited().Match(message);
            var causes = InnerCause().Matches(message);
            var cause = causes.Count > 0 ? causes[^1].Groups["message"].Value.Trim() : Heartbeat().Match(message) is { Success: true } h ? h.Groups["message"].Value.Trim() : null;
            return (waited.Success ? $"no server could be used within {waited.Groups["ms"].Value} ms" : "no server could be used in time")
                + (cause is null ? "" : $" (last error: {Redact(cause)})");
        }

        return Redact(message.Split('\n', 2)[0].Trim());
    }

    private static bool IsCredentials(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is MongoAuthenticationException
                || (e is MongoCommandException command && CredentialCodes.Contains(command.Code))
                || (e is TimeoutException && e.Message.Contains(nameof(MongoAuthenticationException), StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsUnavailable(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case TimeoutException:
                case MongoConnectionException:
                case MongoConnectionPoolPausedException:
                case MongoWaitQueueFullException:
                case MongoExecutionTimeoutException:
                case MongoNotPrimaryException:
                case MongoNodeIsRecoveringException:
                case MongoWriteConcernException:
                case MongoBulkWriteException { WriteConcernError: not null }:
                case MongoBulkWriteException bulk when bulk.WriteErrors.Any(w => UnavailableCodes.Contains(w.Code)):
                case MongoWriteException { WriteError: { } single } when UnavailableCodes.Contains(single.Code):
                case System.Net.Sockets.SocketException:
                case IOException:
                    return true;
                case MongoException mongo when mongo.HasErrorLabel("RetryableWriteError") || mongo.HasErrorLabel("NetworkError"):
                    return true;
                case MongoCommandException command when UnavailableCodes.Contains(command.Code):
                    return true;
            }
        }

        return false;
    }

    private static Exception Innermost(Exception error)
    {
        var e = error;
        while (e.InnerException is not null && e is not MongoAuthenticationException)
        {
            e = e.InnerException;
        }

        return e;
    }

    [GeneratedRegex(@"://[^/@\s]*@", RegexOptions.CultureInvariant)]
    private static partial Regex Credentials();

    [GeneratedRegex(@"after (?<ms>\d+) ?ms", RegexOptions.CultureInvariant)]
    private static partial Regex Waited();

    [GeneratedRegex(@"---> [\w.]+Exception(?: \(\d+\))?: (?<message>[^\r\n""]+)", RegexOptions.CultureInvariant)]
    private static partial Regex InnerCause();

    [GeneratedRegex(@"HeartbeatException: ""[\w.]+: (?<message>[^\r\n""]+)", RegexOptions.CultureInvariant)]
    private static partial Regex Heartbeat();
}

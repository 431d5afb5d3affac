namespace Frugal.Memory;

/// <summary>What emergency mode does to a generation that is already running.</summary>
public enum EmergencyRunningAction
{
    /// <summary>Let it finish (its reply is already capped); only new generations are refused.</summary>
    Finish,

    /// <summary>Cancel it at once; its partial reply is kept as cancelled.</summary>
    Cancel,
}

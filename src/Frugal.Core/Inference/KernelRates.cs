using System.Diagnostics;
using System.Runtime.InteropServices;
using Frugal.Models;

namespace Frugal.Inference;

/// <summary>
/// How fast the loaded llama.cpp CPU backend multiplies a weight matrix of each type by one column of activations —
/// what decoding one token does with every matrix — in weight bytes per second, measured on this machine: square
/// matrices one after another, together several times the size of the last-level cache (so they stream from memory,
/// as a model's weights do), filled by ggml's own quantizer, multiplied through one ggml graph (the same code path as a
/// decode step, Frugal's own kernels included when its CPU backend is loaded), in 2 MiB pages as the mapped weights
/// are; the fastest of the graphs timed counts. On a core whose arithmetic, not its memory, is the limit, a type with
/// fewer bytes per weight is not faster in proportion; these rates say by how much it is.
/// </summary>
/// <param name="BytesPerSecond">Weight bytes per second for each type measured.</param>
/// <param name="Threads">The threads the products ran on.</param>
/// <param name="CpuBackend">The CPU backend library that computed them (its path), or null when it cannot tell.</param>
/// <param name="Repacked">The types measured in llama.cpp's repacked layout (the backend's repack buffer), as a load that repacks computes them.</param>
public sealed record KernelRates(IReadOnlyDictionary<GgmlType, double> BytesPerSecond, int Threads, string? CpuBackend, IReadOnlySet<GgmlType> Repacked)
{
    /// <summary>The bytes of each type's matrices measured: four times a 32 MiB last-level cache.</summary>
    public const long DefaultMatrixBytes = 128L << 20;

    /// <summary>
    /// Measures each of <paramref name="types"/> with rows of <paramref name="rowLength"/> weights on
    /// <paramref name="threads"/> threads, for at least <paramref name="timePerType"/> each (after one warm-up product).
    /// Loads the native library as the engine would for <paramref name="nativeLibrary"/> (see
    /// <see cref="NativeLibrarySelection"/>) first. A type whose blocks do not divide the row length is left out. The
    /// types in <paramref name="repacked"/> that llama.cpp repacks (<see cref="RepackedWeights.LlamaCppTypes"/>) are
    /// measured repacked: set into the backend's repack buffer, which converts them as a repacking load does, so the
    /// products run the repacked layout's kernels (llama.cpp's, or Frugal's where its backend has them).
    /// </summary>
    /// <exception cref="InvalidOperationException">The native library cannot be loaded or lacks ggml's functions.</exception>
    public static KernelRates Measure(string? nativeLibrary, IEnumerable<GgmlType> types, int rowLength, int threads, TimeSpan timePerType,
                                      long matrixBytes = DefaultMatrixBytes, IReadOnlySet<GgmlType>? repacked = null)
    {
        ArgumentNullException.ThrowIfNull(types);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(matrixBytes);
        var ggml = GgmlApi.Load(nativeLibrary);
        var rates = new Dictionary<GgmlType, double>();
        var measuredRepacked = new HashSet<GgmlType>();
        foreach (var type in types.Distinct())
        {
            if (GgmlTypeInfo.IsKnown(type) && rowLength % GgmlTypeInfo.BlockSize(type) == 0)
            {
                var repack = repacked is not null && repacked.Contains(type) && RepackedWeights.LlamaCppTypes.Contains(type) && ggml.RepackBuffer != 0;
                rates[type] = ggml.MatrixVectorRate(type, rowLength, threads, timePerType, matrixBytes, repack);
                if (repack)
                {
                    measuredRepacked.Add(type);
                }
            }
        }

        return new KernelRates(rates, threads, NativeLibrarySelection.LoadedCpuBackend(), measuredRepacked);
    }

    /// <summary>
    /// Loads the native library as the engine would for <paramref name="nativeLibrary"/> (see
    /// <see cref="NativeLibrarySelection"/>) and checks it has the functions <see cref="Measure"/> calls.
    /// </summary>
    /// <exception cref="InvalidOperationException">It cannot be loaded or lacks one.</exception>
    public static void Load(string? nativeLibrary) => _ = GgmlApi.Load(nativeLibrary);

    /// <summary>ggml's C functions, from the libraries LLamaSharp loaded (libggml-base, libggml-cpu).</summary>
    private sealed unsafe class GgmlApi
    {
        // At most this many matrices in one graph (ggml's default graph holds 2,048 nodes).
        private const long MaxPieces = 256;

        private readonly delegate* unmanaged<InitParams, nint> _init;
        private readonly delegate* unmanaged<nint, void> _free;
        private readonly delegate* unmanaged<nint, int, long, long, nint> _newTensor2d;
        private readonly delegate* unmanaged<nint, nint> _getData;
        private readonly delegate* unmanaged<nint, nint, nint, nint> _mulMat;
        private readonly delegate* unmanaged<nint, nint> _newGraph;
        private readonly delegate* unmanaged<nint, nint, void> _buildForwardExpand;
        private readonly delegate* unmanaged<nint, nint, int, int> _graphCompute;
        private readonly delegate* unmanaged<int, float*, void*, long, long, long, float*, nuint> _quantizeChunk;
        private readonly delegate* unmanaged<int, long, nuint> _rowSize;
        private readonly delegate* unmanaged<nint, nint, nint> _allocTensorsFromBuffer;
        private readonly delegate* unmanaged<nint, void> _freeBuffer;
        private readonly delegate* unmanaged<nint, void*, nuint, nuint, void> _setTensor;

        private GgmlApi(nint baseLibrary, nint cpuLibrary)
        {
            _init = (delegate* unmanaged<InitParams, nint>)Export(baseLibrary, "ggml_init");
            _free = (delegate* unmanaged<nint, void>)Export(baseLibrary, "ggml_free");
            _newTensor2d = (delegate* unmanaged<nint, int, long, long, nint>)Export(baseLibrary, "ggml_new_tensor_2d");
            _getData = (delegate* unmanaged<nint, nint>)Export(baseLibrary, "ggml_get_data");
            _mulMat = (delegate* unmanaged<nint, nint, nint, nint>)Export(baseLibrary, "ggml_mul_mat");
            _newGraph = (delegate* unmanaged<nint, nint>)Export(baseLibrary, "ggml_new_graph");
            _buildForwardExpand = (delegate* unmanaged<nint, nint, void>)Export(baseLibrary, "ggml_build_forward_expand");
            _quantizeChunk = (delegate* unmanaged<int, float*, void*, long, long, long, float*, nuint>)Export(baseLibrary, "ggml_quantize_chunk");
            _rowSize = (delegate* unmanaged<int, long, nuint>)Export(baseLibrary, "ggml_row_size");
            _graphCompute = (delegate* unmanaged<nint, nint, int, int>)Export(cpuLibrary, "ggml_graph_compute_with_ctx");
            ((delegate* unmanaged<void>)Export(cpuLibrary, "ggml_cpu_init"))();
            _allocTensorsFromBuffer = (delegate* unmanaged<nint, nint, nint>)Export(baseLibrary, "ggml_backend_alloc_ctx_tensors_from_buft");
            _freeBuffer = (delegate* unmanaged<nint, void>)Export(baseLibrary, "ggml_backend_buffer_free");
            _setTensor = (delegate* unmanaged<nint, void*, nuint, nuint, void>)Export(baseLibrary, "ggml_backend_tensor_set");
            RepackBuffer = FindRepackBuffer(baseLibrary, cpuLibrary);
        }

        /// <summary>The CPU backend's repack buffer type (<c>CPU_REPACK</c>, what a load with use_extra_bufts puts repackable matrices in), or 0 when it has none.</summary>
        public nint RepackBuffer { get; }

        // The CPU device's extra buffer types, through the backend registry as llama.cpp finds them.
        private static nint FindRepackBuffer(nint baseLibrary, nint cpuLibrary)
        {
            if (!NativeLibrary.TryGetExport(cpuLibrary, "ggml_backend_cpu_reg", out var cpuRegistry))
            {
                return 0;
            }

            var registry = ((delegate* unmanaged<nint>)cpuRegistry)();
            var address = (delegate* unmanaged<nint, byte*, nint>)Export(baseLibrary, "ggml_backend_reg_get_proc_address");
            var device = ((delegate* unmanaged<nint, nuint, nint>)Export(baseLibrary, "ggml_backend_reg_dev_get"))(registry, 0);
            var name = (delegate* unmanaged<nint, byte*>)Export(baseLibrary, "ggml_backend_buft_name");
            fixed (byte* function = "ggml_backend_dev_get_extra_bufts\0"u8)
            {
                var extraBuffers = (delegate* unmanaged<nint, nint*>)address(registry, function);
                for (var types = extraBuffers is null || device == 0 ? null : extraBuffers(device); types is not null && *types != 0; types++)
                {
                    if (Marshal.PtrToStringUTF8((nint)name(*types)) == "CPU_REPACK")
                    {
                        return *types;
                    }
                }
            }

            return 0;
        }

        public static GgmlApi Load(string? nativeLibrary)
        {
            try
            {
                NativeLibrarySelection.Apply(nativeLibrary);
                LlamaRuntime.LoadLibrary();
            }
            catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or LLama.Exceptions.RuntimeError or ArgumentException)
            {
                throw new InvalidOperationException($"the llama.cpp native library cannot be loaded here ({e.Message})", e);
            }

            // Already loaded as libllama's dependencies: these find the loaded copies.
            return NativeLibrary.TryLoad(NativeLibrarySelection.FileName("ggml-base"), out var baseLibrary)
                   && NativeLibrary.TryLoad(NativeLibrarySelection.FileName("ggml-cpu"), out var cpuLibrary)
                ? new GgmlApi(baseLibrary, cpuLibrary)
                : throw new InvalidOperationException("ggml's libraries are not loaded beside libllama");
        }

        /// <summary>
        /// Weight bytes per second of <paramref name="type"/> matrices times one F32 column: the bytes as square matrices of
        /// <paramref name="rowLength"/> rows one after another, each multiplying the column (quantizing it for itself), as
        /// a decode step runs a model's matrices — one matrix of all the bytes measured the kernels 5–20 % slower than the model
        /// runs them (Q8_0 21–23 GB/s against 26, Q6_K 17–18 against 20 on a Zen 3 core). <paramref name="repack"/>: the
        /// matrices in <see cref="RepackBuffer"/> (rows in groups of eight, as llama.cpp repacks them).
        /// </summary>
        public double MatrixVectorRate(GgmlType type, int rowLength, int threads, TimeSpan time, long matrixBytes, bool repack = false)
        {
            var rowBytes = (long)_rowSize((int)type, rowLength);
            var rows = Math.Max(matrixBytes / rowBytes, 64);
            var pieceRows = Math.Min(rows, Math.Max(rowLength, (rows + MaxPieces - 1) / MaxPieces)) / 8 * 8;
            var pieces = (int)(rows / pieceRows);
            rows = pieces * pieceRows;
            // The matrices (unless repacked: in the repack buffer), the column, the products, the graph and the work buffer
            // (the column quantized per thread), in memory allocated here: ggml's own allocation aborts the process when it
            // fails.
            var size = (nuint)((repack ? 0 : rows * rowBytes) + (16L << 20) + ((long)rowLength * 8 * threads) + (pieces * (4096L + (pieceRows * 4))));
            void* memory;
            try
            {
                memory = NativeMemory.AlignedAlloc(size, (nuint)PageCache.HugePageBytes);
            }
            catch (OutOfMemoryException e)
            {
                throw new InvalidOperationException($"no memory for a {size >> 20} MiB matrix", e);
            }

            // In 2 MiB pages, as the engine reads the mapped weights (fewer TLB misses on a stream of this size).
            _ = PageCache.AdviseHugePagesAt((nint)memory, size);

            var context = _init(new InitParams { MemSize = size, MemBuffer = (nint)memory, NoAlloc = 0 });
            var weights = repack ? _init(new InitParams { MemSize = (nuint)((pieces * 1024L) + 4096), MemBuffer = 0, NoAlloc = 1 }) : 0;
            nint repacked = 0;
            byte* staging = null;
            try
            {
                var column = _newTensor2d(context, (int)GgmlType.F32, rowLength, 1);
                var graph = _newGraph(context);
                var matrices = new nint[pieces];
                for (var piece = 0; piece < pieces; piece++)
                {
                    matrices[piece] = _newTensor2d(repack ? weights : context, (int)type, rowLength, pieceRows);
                    _buildForwardExpand(graph, _mulMat(context, matrices[piece], column));
                }

                var pieceBytes = pieceRows * rowBytes;
                if (repack)
                {
                    repacked = _allocTensorsFromBuffer(weights, RepackBuffer);
                    if (repacked == 0)
                    {
                        throw new InvalidOperationException($"no memory for {rows * rowBytes >> 20} MiB of repacked matrices");
                    }

                    // One piece quantized here, then set into every matrix: the repack buffer converts it as it copies.
                    staging = (byte*)NativeMemory.Alloc((nuint)pieceBytes);
                    Fill(type, rowLength, pieceRows, rowBytes, staging, (float*)_getData(column));
                    foreach (var matrix in matrices)
                    {
                        _setTensor(matrix, staging, 0, (nuint)pieceBytes);
                    }
                }
                else
                {
                    var first = (byte*)_getData(matrices[0]);
                    Fill(type, rowLength, pieceRows, rowBytes, first, (float*)_getData(column));
                    foreach (var matrix in matrices.Skip(1))
                    {
                        Buffer.MemoryCopy(first, (byte*)_getData(matrix), pieceBytes, pieceBytes);
                    }
                }

                Compute(context, graph, threads);

                // The fastest product counts, as the fastest of a few decode steps does (DecodeStepProbe): a busy box
                // slows some of them, never speeds one up, and the two are compared.
                var clock = Stopwatch.StartNew();
                var products = 0;
                var fastest = TimeSpan.MaxValue;
                do
                {
                    var started = Stopwatch.GetTimestamp();
                    Compute(context, graph, threads);
                    var elapsed = Stopwatch.GetElapsedTime(started);
                    fastest = elapsed < fastest ? elapsed : fastest;
                    products++;
                }
                while (clock.Elapsed < time || products < 3);

                return rows * rowBytes / fastest.TotalSeconds;
            }
            finally
            {
                NativeMemory.Free(staging);
                if (repacked != 0)
                {
                    _freeBuffer(repacked);
                }

                if (weights != 0)
                {
                    _free(weights);
                }

                _free(context);
                NativeMemory.AlignedFree(memory);
            }
        }

        private void Compute(nint context, nint graph, int threads)
        {
            var status = _graphCompute(context, graph, threads);
            if (status != 0)
            {
                throw new InvalidOperationException($"ggml_graph_compute_with_ctx failed (status {status})");
            }
        }

        // Random weights through ggml's quantizer for the first rows, repeated down the matrix (quantizing it all would
        // take longer than measuring it); a random column.
        private void Fill(GgmlType type, int rowLength, long rows, long rowBytes, byte* matrix, float* column)
        {
            const int Distinct = 32;
            var random = new Random(18);
            var source = new float[Distinct * rowLength];
            for (var i = 0; i < source.Length; i++)
            {
                source[i] = (float)((random.NextDouble() * 2) - 1);
            }

            var first = Math.Min(rows, Distinct);
            fixed (float* s = source)
            {
                _ = _quantizeChunk((int)type, s, matrix, 0, first, rowLength, null);
            }

            var span = first * rowBytes;
            for (var offset = span; offset < rows * rowBytes; offset += span)
            {
                Buffer.MemoryCopy(matrix, matrix + offset, span, Math.Min(span, (rows * rowBytes) - offset));
            }

            for (var i = 0; i < rowLength; i++)
            {
                column[i] = (float)((random.NextDouble() * 2) - 1);
            }
        }

        private static nint Export(nint library, string name) =>
            NativeLibrary.TryGetExport(library, name, out var address) ? address : throw new InvalidOperationException($"the loaded ggml has no {name}");

        // ggml_init_params: size_t mem_size; void * mem_buffer; bool no_alloc.
        [StructLayout(LayoutKind.Sequential)]
        private struct InitParams
        {
            public nuint MemSize;
            public nint MemBuffer;
            public byte NoAlloc;
        }
    }
}

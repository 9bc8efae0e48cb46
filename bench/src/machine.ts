import { availableParallelism, cpus, loadavg, totalmem } from "node:os"

/** One line saying where the numbers come from; load matters on a shared machine. */
export const describeMachine = (): string => {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU"
  const memory = `${Math.round(totalmem() / 2 ** 30)} GiB`
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(", ")
  return (
    `${availableParallelism()} CPUs (nproc) ${cpu}, ${memory}, Node ${process.version}, ` +
    `${process.platform}/${process.arch}; load average at start ${load}`
  )
}
